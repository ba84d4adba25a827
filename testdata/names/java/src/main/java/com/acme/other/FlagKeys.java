package com.acme.other;

public final class FlagKeys {
    public static final String CHECKOUT = "other-checkout-java";
}
