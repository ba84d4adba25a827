package com.acme.app;

final class Local {
    static final String SAME_PACKAGE = "same-package-java";
}
