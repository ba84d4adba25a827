package com.acme.flags;

public final class FlagKeys {
    public static final String CHECKOUT = "checkout-java";
    public static final String ALIAS = CHECKOUT;
    public static String mutable = "mutable-java";

    public static final class Group {
        public static final String BANNER = "banner-java";
    }
}
