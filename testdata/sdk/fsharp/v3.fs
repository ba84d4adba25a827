// Flagship .NET SDK v3 from F#: GetFlag(key, default) then GetValue().
module Home

open Flagship.Main

type FlagKeys =
    static member Banner = "fs3-banner"

let render (visitor: IVisitor) =
    let flag = visitor.GetFlag("fs3-button", "blue")
    let color = flag.GetValue()
    let count = visitor.GetFlag("fs3-count", 3).GetValue()
    let bannerOn = visitor.GetFlag(FlagKeys.Banner, true).GetValue()
    let sizes = visitor.GetFlag("fs3.sizes", [| 1; 2 |]).GetValue()
    let verbatim = visitor.GetFlag(@"fs3-verbatim", @"c:\temp").GetValue()
    let triple = visitor.GetFlag("""fs3-triple""", """say "hi" """).GetValue()
    if visitor.GetFlag("fs3-exists", "").Exists then color
    else sprintf "%d %b %A %s %s" count bannerOn sizes verbatim triple
