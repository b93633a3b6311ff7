# CalDAV/CardDAV clients for test/dav: vdirsyncer (two-way sync), litmus
# (WebDAV compliance), curl (raw requests), and tsdav from npm.
apt_install vdirsyncer litmus curl
npm_ci test/clients/dav
