// Flagship iOS SDK v2 from Objective-C: getModification:default<Type>:activate:.
#import <Flagship/Flagship-Swift.h>

#define PRICE_KEY @"objc2-price"
static NSString *const kTitleKey = @"objc2-title";

@implementation ShopViewController

- (void)viewDidLoad {
    [super viewDidLoad];
    NSString *title = [[Flagship sharedInstance] getModification:kTitleKey defaultString:@"Welcome" activate:YES];
    BOOL enabled = [[Flagship sharedInstance] getModification:@"objc2-enabled" defaultBool:NO activate:NO];
    NSInteger count = [[Flagship sharedInstance] getModification:@"objc2-count" defaultInt:3 activate:YES];
    float ratio = [[Flagship sharedInstance] getModification:@"objc2.ratio" defaultFloat:0.5f activate:YES];
    double price = [[Flagship sharedInstance] getModification:PRICE_KEY defaultDouble:9.99 activate:YES];
    NSDictionary *config = [[Flagship sharedInstance] getModification:@"objc2-config" defaultJson:@{@"color": @"red"} activate:NO];
    NSArray *sizes = [Flagship.sharedInstance getModification:@"objc2-sizes"
                                                 defaultArray:@[@1, @2]
                                                     activate:YES];
}

@end
