' Visual Basic ignores case: the prefilter must too.
Module Lower
    Sub Run(visitor As Object)
        Dim v = visitor.getflag("lower-key", True).getvalue()
    End Sub
End Module
