# 3 workers x 16 threads, as the measured Pliny setup.
workers Integer(ENV.fetch('WEB_CONCURRENCY', '3'))
threads 16, 16
preload_app!
bind "tcp://127.0.0.1:#{ENV.fetch('PORT', '5100')}"
environment 'production'
quiet

on_worker_boot { DB.disconnect }
