// Flagship iOS SDK v3: getFlag(key:defaultValue:) then value().
import Flagship

enum FlagKeys {
    static let checkout = "v3-checkout"
}

struct CheckoutView {
    let visitor: FSVisitor

    func body() -> String {
        let flag = visitor.getFlag(key: "v3-button", defaultValue: "blue")
        let color = flag.value()
        let discount = visitor.getFlag(key: "v3-discount", defaultValue: 10).value()
        let express = visitor.getFlag(key: FlagKeys.checkout, defaultValue: true).value()
        let layout = visitor.getFlag(key: "v3.layout", defaultValue: ["columns": 2]).value()
        if visitor.getFlag(key: "v3-exists", defaultValue: nil).exists() {
            return "\(color) \(discount) \(express) \(layout)"
        }
        return color
    }
}
