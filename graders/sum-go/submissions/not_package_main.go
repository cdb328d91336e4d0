// A library, not a program: go build would write an archive of package sum, with no main to run.
package sum

// Sum adds the values.
func Sum(values []int64) (total int64) {
	for _, v := range values {
		total += v
	}
	return total
}
