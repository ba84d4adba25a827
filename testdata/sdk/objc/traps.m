// [visitor getFlagWithKey:@"in-line-comment" defaultValue:@"x"]
/* [visitor getFlagWithKey:@"in-block-comment" defaultValue:@"x"] */
static NSString *s = @"[visitor getFlagWithKey:@\"in-string\" defaultValue:@\"x\"]";
static const char *c = "[visitor getFlagWithKey:@\"in-c-string\"]";
#pragma mark - [visitor getFlagWithKey:@"in-pragma"] isn't code
void run(FSVisitor *visitor, NSString *name, NSString *someVariable) {
    [visitor getFlagWithKey:@"one" defaultValue:@1]; [visitor getFlagWithKey:@"two" defaultValue:YES];
    id dynamic = [visitor getFlagWithKey:[NSString stringWithFormat:@"flag-%@", name] defaultValue:@""];
    id variable = [visitor getFlagWithKey:someVariable defaultValue:@""];
    id joined = [visitor getFlagWithKey:@"pre" @"fixed" defaultValue:@""];
    // fe:flag: flagKey6, true
    callThroughIndirection();
    // fs:flag:old.style-key
    doSomething();
    // fe:flag: annotated-call, @"x"
    [visitor getFlagWithKey:@"annotated-call" defaultValue:@"x"];
    NSString *str = @"fe:flag: not-an-annotation, true";
    /* fe:flag: typed-only, number */
    NSLog(@"%@", [[visitor getFlagWithKey:@"as-argument" defaultValue:@0] value]);
    NSString *reassigned = @"first";
    reassigned = @"second";
    [visitor getFlagWithKey:reassigned defaultValue:@""];
    char quote = '"'; [visitor getFlagWithKey:@"after-char" defaultValue:@""];
}
#define CONTINUED_KEY \
    @"continued.define-key"
@implementation Scoped
- (void)first:(FSVisitor *)visitor {
    NSString *key = @"scoped-first";
    [visitor getFlagWithKey:key defaultValue:@""];
}
- (void)second:(FSVisitor *)visitor {
    NSString *key = [self currentKey];
    [visitor getFlagWithKey:key defaultValue:@""];
    dispatch_async(dispatch_get_main_queue(), ^{
        [visitor getFlagWithKey:CONTINUED_KEY defaultValue:@"x"];
    });
}
@end
id last(FSVisitor *visitor) { return [visitor getFlagWithKey:@"last-line-no-newline" defaultValue:nil]; }