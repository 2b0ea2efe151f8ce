package redisl2_test

import (
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/v100video/v100/gateway"
	"github.com/v100video/v100/gateway/redisl2"
)

// Replicas of a gateway share what they fetch through Redis: a miss in
// one replica's memory is looked up in Redis before the origin.
func Example() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	var origin http.Handler = http.NotFoundHandler() // an upstream Pool, usually
	c := gateway.NewCache(origin, &gateway.CacheOptions{L2: redisl2.New(client)})
	defer c.Close()
	_ = http.ListenAndServe // serve c
}
