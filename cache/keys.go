package cache

import (
	"fmt"
	"hash/maphash"
	"reflect"
	"strconv"
	"unsafe"
)

// keyFuncs are the per-type functions a Cache needs for its keys: a hash to
// pick the shard, a string form for L2, and the way back from that form for
// invalidation messages. Only string and integer keys have a way back; for
// other key types an invalidation flushes the whole L1.
type keyFuncs[K comparable] struct {
	hash   func(K) uint64
	format func(K) string
	parse  func(string) (K, bool)
}

func newKeyFuncs[K comparable]() keyFuncs[K] {
	seed := maphash.MakeSeed()
	var kf keyFuncs[K]
	switch reflect.TypeFor[K]().Kind() {
	case reflect.String:
		kf.hash = func(k K) uint64 { return maphash.String(seed, *(*string)(unsafe.Pointer(&k))) }
		kf.format = func(k K) string { return *(*string)(unsafe.Pointer(&k)) }
		kf.parse = func(s string) (K, bool) { return *(*K)(unsafe.Pointer(&s)), true }
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64, reflect.Uintptr, reflect.Int32, reflect.Uint32:
		switch unsafe.Sizeof(*new(K)) {
		case 8:
			kf.hash = func(k K) uint64 { return mix64(*(*uint64)(unsafe.Pointer(&k))) }
			kf.format = func(k K) string { return strconv.FormatUint(*(*uint64)(unsafe.Pointer(&k)), 10) }
			kf.parse = func(s string) (K, bool) {
				var k K
				u, err := strconv.ParseUint(s, 10, 64)
				*(*uint64)(unsafe.Pointer(&k)) = u
				return k, err == nil
			}
			return kf
		case 4:
			kf.hash = func(k K) uint64 { return mix64(uint64(*(*uint32)(unsafe.Pointer(&k)))) }
			kf.format = func(k K) string { return strconv.FormatUint(uint64(*(*uint32)(unsafe.Pointer(&k))), 10) }
			kf.parse = func(s string) (K, bool) {
				var k K
				u, err := strconv.ParseUint(s, 10, 32)
				*(*uint32)(unsafe.Pointer(&k)) = uint32(u)
				return k, err == nil
			}
			return kf
		}
		fallthrough
	default:
		// Go syntax is unambiguous where %v is not ([2]string{"a b", "c"}
		// and {"a", "b c"} print alike with %v). Pointers and interfaces
		// holding pointers format as addresses: such keys make no sense in
		// an L2 shared between processes.
		kf.hash = func(k K) uint64 { return maphash.Comparable(seed, k) }
		kf.format = func(k K) string { return fmt.Sprintf("%#v", k) }
	}
	return kf
}

// mix64 is the splitmix64 finaliser: it spreads sequential integers over the
// shards.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
