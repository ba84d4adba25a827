// Flagship Java SDK v3: getFlag(key, default) then value(exposed).
package com.example.flags;

import com.abtasty.flagship.visitor.Visitor;
import java.util.List;
import java.util.Map;

interface Keys {
    String TITLE = "checkout.title";
}

public class V3 {
    static final String FLAG_KEY = "v3-const";

    String render(Visitor visitor) {
        Flag<String> flag = visitor.getFlag("v3-btn", "blue");
        String value = flag.value(true);
        int size = visitor.getFlag(FLAG_KEY, 3).value(false);
        String title = visitor.getFlag(Keys.TITLE, "Pay").value(true);
        Map<String, Object> config = visitor.getFlag("v3-config", Map.of("a", 1)).value(true);
        List<String> items = visitor.getFlag("v3-items", List.of("a")).value(true);
        if (visitor.getFlag("v3-exists", true).exists()) {
            log(visitor.getFlag("v3-argument", 1.5f).value(false));
        }
        // Deprecated v2-style calls still compile against v3.
        Boolean legacy = visitor.getModification("v3-deprecated", false, true);
        visitor.activateModification("v3-activate");
        return visitor.getFlag("v3-returned", "none").value(true);
    }
}
