# The peer on Pliny's stack: Sinatra + Sequel + pg under Puma, serving the same GET /posts.
require 'json'
require 'logger'
require 'securerandom'
require 'sequel'
require 'sinatra/base'

DB = Sequel.connect(ENV.fetch('DATABASE_URL'), max_connections: Integer(ENV.fetch('DB_POOL', '16')))

# One log line per request with a request id, as Pliny's RequestID and canonical log line do.
class RequestLogger
  def initialize(app)
    @app = app
    @logger = Logger.new($stdout)
    @logger.formatter = proc { |_, _, _, msg| "#{msg}\n" }
  end

  def call(env)
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    request_id = SecureRandom.uuid
    env['REQUEST_ID'] = request_id
    status, headers, body = @app.call(env)
    headers['Request-Id'] = request_id
    elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    @logger.info("request_id=#{request_id} request_method=#{env['REQUEST_METHOD']} request_path=#{env['PATH_INFO']} " \
                 "response_status=#{status} timing_total_elapsed=#{format('%.6f', elapsed)}")
    [status, headers, body]
  end
end

class PostsApp < Sinatra::Base
  set :logging, false
  set :show_exceptions, false

  TIME = '%Y-%m-%dT%H:%M:%SZ'

  get '/posts' do
    content_type 'application/json; charset=utf-8'
    posts = DB[:posts].order(:created_at, :id).limit(200).all
    JSON.generate(posts.map do |post|
      { id: post[:id], title: post[:title], body: post[:body],
        created_at: post[:created_at].utc.strftime(TIME), updated_at: post[:updated_at].utc.strftime(TIME) }
    end)
  end

  get '/health' do
    content_type :json
    '{}'
  end
end
