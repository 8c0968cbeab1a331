import NIOCore
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

@Suite struct AppConfigTests {
    @Test func defaults() throws {
        let config = try AppConfig(env: Env([:]))
        #expect(config.port == 5000)
        #expect(config.host == "0.0.0.0")
        #expect(config.database == .sqlite(.file("./data/posts.sqlite")))
        #expect(config.apiToken == nil)
        #expect(config.logLevel == .info)
        #expect(config.prettyJSON == false)
        #expect(config.databasePoolSize >= 2)
        #expect(config.maxConcurrentRequests == 32 * System.coreCount)
        #expect(try AppConfig(env: Env(["MAX_CONCURRENT_REQUESTS": "300"])).maxConcurrentRequests == 300)
    }

    @Test func readsEveryKey() throws {
        let config = try AppConfig(
            env: Env([
                "PORT": "8080", "HOST": "127.0.0.1", "DATABASE_URL": "sqlite:///tmp/x.sqlite", "API_TOKEN": "t",
                "LOG_LEVEL": "warn", "PRETTY_JSON": "true", "RAISE_ERRORS": "1", "DB_POOL": "3", "BACKLOG": "128",
                "CACHE_MAX_AGE": "2.5", "DB_IDLE_TIMEOUT": "30",
            ])
        )
        #expect(config.port == 8080)
        #expect(config.host == "127.0.0.1")
        #expect(config.database == .sqlite(.file("/tmp/x.sqlite")))
        #expect(config.apiToken == "t")
        #expect(config.logLevel == .warning)
        #expect(config.prettyJSON)
        #expect(config.raiseErrors)
        #expect(config.databasePoolSize == 3)
        #expect(config.backlog == 128)
        #expect(config.cacheMaxAge == 2.5)
        #expect(config.databaseIdleTimeout == 30)
    }

    @Test func databaseURLs() throws {
        #expect(try DatabaseConfig(envValue: "sqlite::memory:") == .sqlite(.memory))
        let url = try PostgresURL("postgres://user:p%40ss@db.example:6543/posts?sslmode=require")
        #expect(url.user == "user" && url.password == "p@ss" && url.host == "db.example" && url.port == 6543)
        #expect(url.database == "posts" && url.requireTLS)
        let plain = try PostgresURL("postgresql://me@localhost/app")
        #expect(plain.port == 5432 && plain.password == nil && !plain.requireTLS && plain.database == "app")
        guard case .postgres = try DatabaseConfig(envValue: "postgresql://me@localhost/app") else {
            Issue.record("postgresql:// is PostgreSQL")
            return
        }
    }

    @Test func replicaURLBesideAPostgresPrimary() throws {
        let config = try AppConfig(env: Env(["DATABASE_URL": "postgres://u@primary/db", "DATABASE_REPLICA_URL": "postgres://u@replica:5433/db"]))
        #expect(config.databaseReplica?.host == "replica" && config.databaseReplica?.port == 5433)
        #expect(try AppConfig(env: Env(["DATABASE_URL": "postgres://u@primary/db"])).databaseReplica == nil)
    }

    @Test(arguments: [
        ("PORT", "abc", "PORT=\"abc\": must be an integer from 1 to 65535"),
        ("PORT", "70000", "PORT=\"70000\": must be an integer from 1 to 65535"),
        ("PORT", "0", "PORT=\"0\": must be an integer from 1 to 65535"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL=\"mysql://x\": unknown database scheme \"mysql\""),
        ("DATABASE_URL", "sqlite://relative.db", "DATABASE_URL=\"sqlite://relative.db\": a SQLite URL needs an absolute path"),
        ("DATABASE_URL", "postgres://user@host:99999/db", "DATABASE_URL=\"postgres://user@host:99999/db\": has an invalid port"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL=\"loud\": must be one of"),
        ("PRETTY_JSON", "maybe", "PRETTY_JSON=\"maybe\": must be true or false"),
        ("DB_POOL", "0", "DB_POOL=\"0\": must be at least 1"),
        ("DATABASE_REPLICA_URL", "postgres://u@replica/db", "DATABASE_REPLICA_URL=\"postgres://u@replica/db\": needs a PostgreSQL DATABASE_URL"),
        ("DATABASE_REPLICA_URL", "sqlite::memory:", "DATABASE_REPLICA_URL=\"sqlite::memory:\": must be a postgres:// URL"),
        ("CACHE_MAX_AGE", "0", "CACHE_MAX_AGE=\"0\": must be a number of seconds above 0"),
        ("DB_IDLE_TIMEOUT", "0", "DB_IDLE_TIMEOUT=\"0\": must be a number of seconds above 0"),
    ])
    func badValuesNameTheKeyAndTheProblem(key: String, value: String, message: String) {
        #expect {
            _ = try AppConfig(env: Env([key: value]))
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.key == key && error.description.hasPrefix(message) && !error.description.contains("\n")
        }
    }
}
