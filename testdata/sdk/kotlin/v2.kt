// Flagship Android SDK v2: Flagship.getModification(key, default, activate).
package com.example.flags

import com.abtasty.flagship.main.Flagship
import org.json.JSONObject

const val BTN_COLOR = "btnColor"
val DISCOUNT: String = "discount-rate"

class Screen {
    companion object {
        const val BANNER = "banner.text"
    }

    fun render() {
        val color = Flagship.getModification("v2-color", "red", true)
        val rate = Flagship.getModification(DISCOUNT, 0.15, false)
        val enabled = Flagship.getModification("v2-enabled", false, activate = true)
        val config = Flagship.getModification("v2-config", JSONObject(), true)
        val text = Flagship.getModification(Screen.BANNER, "Welcome")
        Flagship.activateModification(BTN_COLOR)
    }
}
