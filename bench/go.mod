module github.com/v100video/v100/bench

go 1.25.8

require (
	github.com/Eyevinn/hls-m3u8 v0.6.0
	github.com/dgraph-io/ristretto/v2 v2.2.0
	github.com/go-redis/redis_rate/v10 v10.0.1
	github.com/grafov/m3u8 v0.12.1
	github.com/hashicorp/golang-lru/v2 v2.0.7
	github.com/maypok86/otter/v2 v2.2.1
	github.com/redis/go-redis/v9 v9.7.3
	github.com/stretchr/testify v1.11.1
	github.com/v100video/v100 v100.0.0
	go.uber.org/ratelimit v0.3.1
	golang.org/x/sync v0.20.0
	golang.org/x/time v0.8.0
)

require (
	github.com/benbjohnson/clock v1.3.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc // indirect
	github.com/dgryski/go-rendezvous v0.0.0-20200823014737-9f7001d12a5f // indirect
	github.com/dustin/go-humanize v1.0.1 // indirect
	github.com/kr/pretty v0.3.1 // indirect
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2 // indirect
	github.com/rogpeppe/go-internal v1.10.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
	gopkg.in/check.v1 v1.0.0-20201130134442-10cb98267c6c // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/v100video/v100 => ../
