// visitor.GetFlag("in-line-comment")
(* visitor.GetFlag("in-block-comment") (* nested *) visitor.GetFlag("after-nested") *)
(* a comment holding "*)" visitor.GetFlag("after-quoted-closer") *)
/// visitor.GetFlag("in-doc-comment")
module Traps

let s = "visitor.GetFlag(\"in-string\")"
let v = @"visitor.GetFlag(""in-verbatim"")"
let t = """visitor.GetFlag("in-triple")"""
let product = (*) 6 7

let run (visitor: IVisitor) (name: string) (someVariable: string) (suffix: string) =
    visitor.GetFlag("one") |> ignore; visitor.GetFlag("two", true) |> ignore
    let dynamic = visitor.GetFlag($"flag-{name}")
    let variable = visitor.GetFlag(someVariable)
    let concat = visitor.GetFlag("prefix-" + suffix)
    let constConcat = visitor.GetFlag("pre" + "fixed")
    // fe:flag: flagKey6, true
    callThroughIndirection ()
    // fs:flag:old.style-key
    doSomething ()
    // fe:flag: annotated-call, "x"
    visitor.GetFlag("annotated-call", "x") |> ignore
    let str = "fe:flag: not-an-annotation, true"
    (* fe:flag: typed-only, number *)
    log (visitor.GetFlag("as-argument").GetValue(0))
    let mutable reassigned = "first"
    reassigned <- "second"
    visitor.GetFlag(reassigned) |> ignore
    let quote = '"'
    visitor.GetFlag("after-char") |> ignore
    let local = "local.const-key"
    visitor.GetFlag(local)

let returned (visitor: IVisitor) =
    visitor.GetFlag("returned")

let last (visitor: IVisitor) = visitor.GetFlag("last-line-no-newline")