// הצü: Latin-1 umlauts, not UTF-8
int main() { return 0; }
