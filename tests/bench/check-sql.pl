#!/usr/bin/perl
# Checks that the pgbench scripts run the worker's SQL: every statement
# after a "-- lib/db.c ST_NAME" line must be the worker's ST_NAME (lib/stmt.c,
# as tests/bench/print-sql prints it), up to the
# spellings the scripts' headers list (pgbench variables for $n, \072 for
# ':' in an E'' literal, gen_random_uuid() for the id the worker makes).
# The scripts are checked as pgbench runs them, "-- @include"s resolved.
#
#   build/tests/print-sql >sql.txt     # the worker's statements
#   perl tests/bench/check-sql.pl sql.txt SCRIPT...
#
# Exit 0 when all match, 1 with one line per mismatch on stderr.
use strict;
use warnings;

# The statements of the worker, from tests/bench/print-sql's output:
# ST_NAME -> SQL text.
sub db_statements {
	my ($path) = @_;
	open my $fh, '<', $path or die "check-sql: $path: $!\n";
	my %st;
	while (my $line = <$fh>) {
		chomp $line;
		my ($name, $sql) = split /\t/, $line, 2;
		$st{$name} = $sql if defined $sql;
	}
	die "check-sql: no statements found in $path\n" unless %st;
	return \%st;
}

sub squash {
	my ($s) = @_;
	$s =~ s/\s+/ /g;
	$s =~ s/ ,/,/g;		# a column list continued after an include
	$s =~ s/^ | $//g;
	$s =~ s/ ?;$//;
	return $s;
}

my $db = shift @ARGV or die "usage: check-sql.pl STATEMENTS [SCRIPT...]\n";
my $st = db_statements($db);
if (!@ARGV) {
	print "$_\t$st->{$_}\n" for sort keys %$st;
	exit 0;
}

my $bad = 0;
for my $file (@ARGV) {
	open my $fh, '<', $file or die "check-sql: $file: $!\n";
	my ($name, $sql, $n) = (undef, '', 0);
	my $check = sub {
		return unless defined $name;
		$n++;
		my $got = squash($sql);
		$got =~ s/(?<!:):[a-z_][a-z0-9_]*/\$?/g;
		$got =~ s/gen_random_uuid\(\)/\$?::uuid/g;
		$got =~ s/E'/'/g;
		$got =~ s/\\072/:/g;
		(my $want = squash($st->{$name} // '')) =~ s/\$\d+/\$?/g;
		# The worker quotes every configured name (PQescapeIdentifier);
		# "users" and users are the same name.
		s/"([a-z_][a-z0-9_]*)"/$1/g for $got, $want;
		if (!exists $st->{$name}) {
			print STDERR "check-sql: $file: lib/db.c has no ST_$name\n";
			$bad++;
		} elsif ($got ne $want) {
			my $i = 0;
			$i++ while $i < length($got) && substr($got, $i, 1) eq substr($want, $i, 1);
			printf STDERR "check-sql: %s: ST_%s differs from lib/db.c at \"%s\" (lib/db.c: \"%s\"); copy it again\n",
			    $file, $name, substr($got, $i, 40), substr($want, $i, 40);
			$bad++;
		}
	};
	while (my $line = <$fh>) {
		if ($line =~ /^-- lib\/db\.c ST_([A-Z_]+)/) {
			$check->();
			($name, $sql) = ($1, '');
			next;
		}
		$line =~ s/--.*$//;	# the scripts have no "--" inside literals
		$sql .= $line;
	}
	$check->();
	if ($n == 0) {
		print STDERR "check-sql: $file: no \"-- lib/db.c ST_NAME\" statement\n";
		$bad++;
	}
}
exit($bad ? 1 : 0);
