long long sum_of(int n);
