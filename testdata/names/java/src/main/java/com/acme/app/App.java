package com.acme.app;

import com.acme.flags.FlagKeys;
import com.acme.flags.*;
import static com.acme.flags.FlagKeys.CHECKOUT;
import io.external.ExtKeys;

class App {
    void run(Visitor visitor) {
        visitor.getFlag(FlagKeys.CHECKOUT, "x");
        visitor.getFlag(FlagKeys.Group.BANNER, "x");
        visitor.getFlag(FlagKeys.ALIAS, "x");
        visitor.getFlag(FlagKeys.mutable, "x");
        visitor.getFlag(CHECKOUT, "x");
        visitor.getFlag(Keys.SEARCH, "x");
        visitor.getFlag(Local.SAME_PACKAGE, "x");
        visitor.getFlag(ExtKeys.KEY, "x");
        visitor.getFlag(com.acme.other.FlagKeys.CHECKOUT, "x");
        visitor.getFlag(Missing.KEY, "x");
    }

    void shadow(Visitor visitor) {
        final String CHECKOUT = "local-java";
        visitor.getFlag(CHECKOUT, "x");
    }
}
