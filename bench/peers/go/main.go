// The plain Go peer: net/http, database/sql and encoding/json, no cache, serving the same
// GET /posts from SQLite (go-sqlite3) or PostgreSQL (lib/pq), as a Go user would write it first.
//
//	DATABASE_URL=postgres://... PORT=5001 ./posts-go
//	SQLITE_PATH=data/posts.sqlite PORT=5001 ./posts-go
package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	_ "github.com/lib/pq"
	_ "github.com/mattn/go-sqlite3"
)

type post struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

const timeFormat = "2006-01-02T15:04:05Z"

func main() {
	driver, source, marker := "sqlite3", os.Getenv("SQLITE_PATH"), "?"
	if url := os.Getenv("DATABASE_URL"); url != "" {
		driver, source, marker = "postgres", url, "$1"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		log.Fatal(err)
	}
	pool, _ := strconv.Atoi(os.Getenv("DB_POOL"))
	if pool == 0 {
		pool = 8
	}
	db.SetMaxOpenConns(pool)
	db.SetMaxIdleConns(pool)
	list, err := db.Prepare("SELECT id, title, body, created_at, updated_at FROM posts ORDER BY created_at, id LIMIT " + marker)
	if err != nil {
		log.Fatal(err)
	}

	http.HandleFunc("/posts", func(w http.ResponseWriter, r *http.Request) {
		rows, err := list.Query(200)
		if err != nil {
			http.Error(w, `{"id":"service_unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		defer rows.Close()
		posts := []post{}
		for rows.Next() {
			var p post
			if driver == "postgres" {
				var created, updated time.Time
				err = rows.Scan(&p.ID, &p.Title, &p.Body, &created, &updated)
				p.CreatedAt, p.UpdatedAt = created.UTC().Format(timeFormat), updated.UTC().Format(timeFormat)
			} else {
				err = rows.Scan(&p.ID, &p.Title, &p.Body, &p.CreatedAt, &p.UpdatedAt)
			}
			if err != nil {
				http.Error(w, `{"id":"internal_server_error"}`, http.StatusInternalServerError)
				return
			}
			posts = append(posts, p)
		}
		var body bytes.Buffer
		encoder := json.NewEncoder(&body)
		encoder.SetEscapeHTML(false)
		if err := encoder.Encode(posts); err != nil {
			http.Error(w, `{"id":"internal_server_error"}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(bytes.TrimSuffix(body.Bytes(), []byte("\n")))
	})
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{}"))
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil))
}
