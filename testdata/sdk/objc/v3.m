// Flagship iOS SDK v3 from Objective-C: getFlagWithKey:defaultValue:, then value.
#import <Flagship/Flagship-Swift.h>

static NSString * const kButtonKey = @"objc3-button";

@implementation HomeViewController

- (void)render:(FSVisitor *)visitor {
    FSFlag *flag = [visitor getFlagWithKey:kButtonKey defaultValue:@"blue"];
    NSString *color = [flag value];
    NSNumber *count = [[visitor getFlagWithKey:@"objc3-count" defaultValue:@3] value];
    BOOL on = [[[visitor getFlagWithKey:@"objc3.on" defaultValue:@YES] value] boolValue];
    id sizes = [[visitor getFlagWithKey:@"objc3-sizes" defaultValue:@[@"s", @"m"]] value];
    if ([[visitor getFlagWithKey:@"objc3-exists" defaultValue:nil] exists]) {
        [self show:[[visitor getFlagWithKey:@"objc3-argument" defaultValue:@"x"] value] animated:YES];
    }
}

@end
