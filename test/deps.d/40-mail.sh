# Mail clients of test/mail: swaks (SMTP; TLS and AUTH need the Perl
# modules below), mbsync (isync, IMAP sync) and curl (imap:// and smtp://
# URLs). Python's smtplib and imaplib come with python3.
apt_install swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl isync curl python3
