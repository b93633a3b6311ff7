# Mail clients of test/mail: swaks (SMTP), mbsync (isync, IMAP sync) and
# curl (imap:// and smtp:// URLs). Python's smtplib and imaplib come with
# python3.
apt_install swaks isync curl python3
