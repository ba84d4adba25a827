' Flagship .NET SDK v1 from Visual Basic: GetModification(key, default, activate).
Imports System.Threading.Tasks
Imports Flagship.Main

Namespace Shop
    Public Class Checkout
        Private Const DiscountKey As String = "vb1-discount"

        Public Async Function Render(visitor As IVisitor) As Task
            Dim title = visitor.GetModification("vb1-title", "Welcome", True)
            Dim enabled As Boolean = visitor.GetModification("vb1-enabled", False, False)
            Dim discount = visitor.GetModification(DiscountKey, 0.15)
            Dim config = visitor.GetModification("vb1.config", New With {.Color = "red", .Size = 2})
            Dim info = Await visitor.GetModificationInfo("vb1-info")
            Await visitor.ActivateModification("vb1-activate")
            Dim named = visitor.GetModification("vb1-named", defaultValue:=42, activate:=True)
            Dim lower = visitor.getmodification("vb1-lower-case", "x")
        End Function
    End Class
End Namespace
