package app

const localKey = "same-package-key"
