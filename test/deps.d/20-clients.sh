# npm clients of the end-to-end client suite (test/clients, run by
# TestNodeClients): daptin-client, devour-client, graphql-request.
npm_ci test/clients
