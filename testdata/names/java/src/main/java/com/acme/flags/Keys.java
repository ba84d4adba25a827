package com.acme.flags;

public interface Keys {
    String SEARCH = "search-java";
}
