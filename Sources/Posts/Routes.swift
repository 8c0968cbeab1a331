import Hummingbird
import Plinth
import PlinthDatabase
import PostsCore

/// Every resource's routes, in one place: `plinth generate scaffold` adds a line here.
func addResourceRoutes(to router: Router<AppRequestContext>, database: Database, resource: ResourceEndpoints) {
    PostsEndpoints(store: PostStore(database: database), resource: resource).addRoutes(to: router)
    CommentsEndpoints(store: CommentStore(database: database), resource: resource).addRoutes(to: router)
    // plinth: resource routes
}
