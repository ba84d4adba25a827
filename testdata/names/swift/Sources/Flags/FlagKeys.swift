enum FlagKeys {
    static let checkout = "checkout-swift"
    static var mutable = "mutable-swift"

    enum Group {
        static let banner = "banner-swift"
    }
}
