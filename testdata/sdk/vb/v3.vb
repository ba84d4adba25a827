' Flagship .NET SDK v3 from Visual Basic: GetFlag(key, default) then GetValue().
Imports Flagship.Main

Public Module FlagKeys
    Public ReadOnly Banner As String = "vb3-banner"
End Module

Public Class Home
    Public Function Render(visitor As IVisitor) As String
        Dim flag = visitor.GetFlag("vb3-button", "blue")
        Dim color = flag.GetValue()
        Dim count = visitor.GetFlag("vb3-count", 3).GetValue()
        Dim bannerOn = visitor.GetFlag(FlagKeys.Banner, True).GetValue()
        Dim sizes = visitor.GetFlag("vb3.sizes", {1, 2}).GetValue()
        Dim quoted = visitor.GetFlag("vb3-quoted", "say ""hi""").GetValue()
        If visitor.GetFlag("vb3-exists", "").Exists Then
            Return color
        End If
        Return $"{count} {bannerOn} {sizes} {quoted}"
    End Function
End Class
