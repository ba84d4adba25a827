// Flagship iOS SDK v4/v5: getFlag(key:) then value(defaultValue:visitorExposed:).
import Flagship

let PRICE_KEY = "v4-price"

func configure(visitor: FSVisitor) async throws -> String {
    let chained = visitor.getFlag(key: "v4-chained").value(defaultValue: "dark", visitorExposed: true)
    let flag = visitor.getFlag(key: PRICE_KEY)
    let price = flag.value(defaultValue: 9.99)
    let optional = try await visitor.getFlag(key: "v4-optional")?.value(defaultValue: false)
    let collection = visitor.getFlags()["v4-collection"]
    let flags = visitor.getFlags()
    let fromVar = flags["v4-flags-var"]
    let multi = visitor.getFlag(key: """
        v4-multiline
        """).value(defaultValue: 1)
    if let maybe = visitor.getFlag(key: "v4-if-let") {
        _ = maybe.value(defaultValue: [1, 2])
    }
    visitor.getFlags().forEach { print($0) }
    return "\(chained) \(price) \(String(describing: optional)) \(collection) \(fromVar) \(multi)"
}

func other() {
    // A default on a variable belongs to the getFlag that assigned it in the same scope.
    let flag = somethingElse()
    _ = flag.value(defaultValue: true)
}

func third(visitor: FSVisitor) {
    let flag = visitor.getFlag(key: "v4-third")
    process(flag)
}
