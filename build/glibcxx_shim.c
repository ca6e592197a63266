/* std::ios_base_library_init(), new in GCC 13's libstdc++ (GLIBCXX_3.4.32). Older libstdc++ initialises the standard
   streams from its own static constructors, so a no-op is correct there. Loaded only when the symbol is missing. */
void _ZSt21ios_base_library_initv(void) {}
