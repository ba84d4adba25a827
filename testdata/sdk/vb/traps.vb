' visitor.GetFlag("in-line-comment")
REM visitor.GetFlag("in-rem-comment")
''' <summary>visitor.GetFlag("in-doc-comment")</summary>
Public Module Traps
    Const S As String = "visitor.GetFlag(""in-string"")"
    Const Q As String = "it's ' not a comment: visitor.GetFlag(""in-string-2"")"

    Public Sub Run(visitor As IVisitor, name As String, someVariable As String, suffix As String)
        visitor.GetFlag("one") : visitor.GetFlag("two", True)
        Dim dynamic = visitor.GetFlag($"flag-{name}")
        Dim variable = visitor.GetFlag(someVariable)
        Dim concat = visitor.GetFlag("prefix-" & suffix)
        Dim constConcat = visitor.GetFlag("pre" & "fixed")
        ' fe:flag: flagKey6, true
        CallThroughIndirection()
        ' fs:flag:old.style-key
        DoSomething()
        ' fe:flag: annotated-call, "x"
        visitor.GetFlag("annotated-call", "x")
        Dim str = "fe:flag: not-an-annotation, true"
        Rem fe:flag: typed-only, number
        Log(visitor.GetFlag("as-argument").GetValue(0))
        Dim reassigned = "first"
        reassigned = "second"
        visitor.GetFlag(reassigned)
        Const local As String = "local.const-key"
        visitor.GetFlag(LOCAL)
        Dim remark = visitor.GetFlag("after-rem-lookalike") ' Remark is a name, not REM
    End Sub

    Public Function Returned(visitor As IVisitor) As Object
        Return visitor.GetFlag("returned")
    End Function

    Public Function Last(visitor As IVisitor) As Object : Return visitor.GetFlag("last-line-no-newline") : End Function : End Module