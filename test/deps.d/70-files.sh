# Tools of the file tests (test/files): curl for /asset uploads, Range and
# conditional GET; lftp and Debian's rclone as FTP/FTPS clients.
apt_install curl lftp rclone
