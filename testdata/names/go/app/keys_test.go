package app

const testOnly = "test-only-key"
