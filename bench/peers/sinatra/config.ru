require_relative 'app'

use Rack::Deflater
use RequestLogger
run PostsApp
