func run(visitor: Visitor) {
    visitor.getFlag(key: FlagKeys.checkout, defaultValue: "x")
    visitor.getFlag(key: FlagKeys.Group.banner, defaultValue: "x")
    visitor.getFlag(key: FlagKeys.mutable, defaultValue: "x")
    visitor.getFlag(key: MiscKeys.search, defaultValue: "x")
    visitor.getFlag(key: Missing.key, defaultValue: "x")
}
