#define MORE_OFFSET 8
