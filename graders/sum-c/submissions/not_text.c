/* café: a Latin-1 byte, not UTF-8 */
int main(void) { return 0; }
