' Flagship .NET SDK v4 from Visual Basic: GetFlag(key) then GetValue(default, visitorExposed).
Imports System.Threading.Tasks
Imports Flagship.Main

Public Class Pricing
    Const PriceKey As String = "vb4-price"

    Public Async Function Render(visitor As IVisitor) As Task(Of String)
        Dim chained = visitor.GetFlag("vb4-chained").GetValue("dark", False)
        Dim flag = visitor.GetFlag(PriceKey)
        Dim price = flag.GetValue(9.99, True)
        Dim named = visitor.GetFlag(key:="vb4-named").GetValue(defaultValue:=-1, visitorExposed:=True)
        Dim generic = visitor.GetFlag("vb4-generic").GetValue(Of String)("x")
        Dim maybe = visitor.GetFlag("vb4-conditional")?.GetValue(False)
        Dim collection = visitor.GetFlags().Get("vb4-collection")
        Dim flags = visitor.GetFlags()
        Dim fromVar = flags.Get("vb4-flags-var")
        Dim continued = visitor _
            .GetFlag("vb4-continued") _
            .GetValue(0)
        Return Await Task.FromResult($"{chained} {price} {named} {generic} {maybe} {collection} {fromVar} {continued}")
    End Function

    Public Sub Other()
        ' A default on a variable belongs to the GetFlag that assigned it in the same scope.
        Dim flag = SomethingElse()
        flag.GetValue(True)
    End Sub

    Public Sub Third(visitor As IVisitor)
        Dim flag = visitor.GetFlag("vb4-third")
        Process(flag)
    End Sub
End Class
