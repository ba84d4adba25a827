struct MiscKeys {
    static let search = "search-swift"
}
