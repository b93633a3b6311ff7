# The Daybed Hawk client of test/dialects: the hawk npm package.
npm_ci test/clients/hawk
