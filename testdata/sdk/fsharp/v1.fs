// Flagship .NET SDK v1 from F#: GetModification(key, default, activate).
module Shop.Checkout

open Flagship.Main

[<Literal>]
let DiscountKey = "fs1-discount"

let render (visitor: IVisitor) =
    async {
        let title = visitor.GetModification("fs1-title", "Welcome", true)
        let enabled = visitor.GetModification("fs1-enabled", false, false)
        let discount = visitor.GetModification(DiscountKey, 0.15)
        let! info = visitor.GetModificationInfo("fs1-info") |> Async.AwaitTask
        do! visitor.ActivateModification("fs1-activate") |> Async.AwaitTask
        let named = visitor.GetModification("fs1-named", defaultValue = 42, activate = true)
        return title, enabled, discount, info, named
    }
