// Flagship .NET SDK v4 from F#: GetFlag(key) then GetValue(default, visitorExposed).
module Pricing

open Flagship.Main

let PriceKey = "fs4-price"

type PricingPage(visitor: IVisitor) =
    member this.Render() =
        let chained = visitor.GetFlag("fs4-chained").GetValue("dark", false)
        let flag = visitor.GetFlag(PriceKey)
        let price = flag.GetValue(9.99, true)
        let named = visitor.GetFlag(key = "fs4-named").GetValue(defaultValue = -1, visitorExposed = true)
        let generic = visitor.GetFlag("fs4-generic").GetValue<string>("x")
        let collection = visitor.GetFlags().Get("fs4-collection")
        let flags = visitor.GetFlags()
        let fromVar = flags.Get("fs4-flags-var")
        let piped =
            visitor.GetFlag("fs4-piped")
                .GetValue(0)
        sprintf "%s %f %d %s %A %A %d" chained price named generic collection fromVar piped

    member this.Other() =
        // A default on a variable belongs to the GetFlag that assigned it in the same scope.
        let flag = this.SomethingElse()
        flag.GetValue(true)

    member this.Third() =
        let flag = visitor.GetFlag("fs4-third")
        this.Process(flag)
