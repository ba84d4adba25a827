package com.acme.flags

class Screen {
    companion object {
        const val BANNER = "banner-kt"
    }
}
