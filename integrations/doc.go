// Package integrations is the engine behind Daptin's integrations,
// scheduled tasks and the Databite server API. Its sub-packages own one
// idea each: scheduler runs the rows of the task table on their cron
// schedules, and openapi turns the rows of the integration table into
// callable upstream operations. Everything reaches data through
// resource.Service.
package integrations
