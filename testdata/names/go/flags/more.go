package flags

const Search = "search-go"
