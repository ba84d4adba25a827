// Flagship Android SDK v2 called from Java: Flagship.Companion.getModification.
package com.example.flags;

import com.abtasty.flagship.main.Flagship;
import org.json.JSONArray;
import org.json.JSONObject;

public class V2 {
    public static final String BTN_COLOR = "btnColor";
    private static final String DISCOUNT = "discount-rate", BANNER = "banner.text";

    void render() {
        String color = Flagship.Companion.getModification("v2-color", "red", true);
        double rate = Flagship.Companion.getModification(DISCOUNT, 0.15);
        boolean enabled = Flagship.Companion.getModification("v2-enabled", false, false);
        JSONObject config = Flagship.Companion.getModification("v2-config", new JSONObject(), true);
        JSONArray items = Flagship.Companion.getModification("v2-items", new JSONArray());
        int count = Flagship.Companion.getModification(V2.BANNER, -3);
        Flagship.Companion.activateModification(BTN_COLOR);
    }
}
