<?php
// Runs hook-operation scripts through WordPress's own plugin.php + class-wp-hook.php and
// prints one JSON trace per script. Usage: php runner.php WP_INCLUDES_DIR < scripts.jsonl
error_reporting( E_ALL & ~E_WARNING & ~E_NOTICE & ~E_DEPRECATED );
define( 'ABSPATH', '/' );
function __( $s ) { return $s; }
function _doing_it_wrong() {}
$wp_includes = $argv[1];
// plugin.php requires class-wp-hook.php itself.
require $wp_includes . '/plugin.php';

function run_script( $script ) {
	global $wp_filter, $wp_actions, $wp_filters, $wp_current_filter, $trace, $cbs, $calls, $depth, $spec;
	$wp_filter = array(); $wp_actions = array(); $wp_filters = array(); $wp_current_filter = array();
	$trace = array(); $cbs = array(); $calls = array(); $depth = 0;
	$spec = $script['cbs'];
	foreach ( $spec as $name => $_ ) {
		$calls[ $name ] = 0;
		$cbs[ $name ] = function ( ...$args ) use ( $name ) {
			global $trace, $calls, $depth, $spec, $wp_current_filter;
			$k = $calls[ $name ]++;
			$trace[] = array( 'call', $name, $args, current_filter(), array_values( $wp_current_filter ) );
			if ( $depth < 3 && isset( $spec[ $name ][ $k ] ) ) {
				$depth++;
				foreach ( $spec[ $name ][ $k ] as $op ) { run_op( $op ); }
				$depth--;
			}
			return $name . '(' . ( count( $args ) ? json_encode( $args[0] ) : '' ) . ')';
		};
	}
	foreach ( $script['main'] as $op ) { run_op( $op ); }
	$trace[] = array( 'end', current_filter(), array_values( $wp_current_filter ) );
	return $trace;
}

// WordPress 6.9 treats a null priority as 0; Debian's 6.1 would use the key ''. Emulate 6.9.
function prio( $p ) { return null === $p ? 0 : $p; }

function run_op( $op ) {
	global $trace, $cbs, $wp_filter;
	switch ( $op[0] ) {
		case 'add': add_filter( $op[1], $cbs[ $op[2] ], prio( $op[3] ), $op[4] ); break;
		case 'remove': $trace[] = array( 'remove', remove_filter( $op[1], $cbs[ $op[2] ], prio( $op[3] ) ) ); break;
		// remove_filter( $h, $cb, has_filter( $h, $cb ) ): the idiom that passes false when $cb is absent.
		case 'removeHas': $trace[] = array( 'remove', remove_filter( $op[1], $cbs[ $op[2] ], has_filter( $op[1], $cbs[ $op[2] ] ) ) ); break;
		case 'removeAll': remove_all_filters( $op[1], prio( $op[2] ) ); break;
		case 'prio':
			$name = current_filter();
			$trace[] = array( 'prio', false !== $name && isset( $wp_filter[ $name ] ) ? $wp_filter[ $name ]->current_priority() : false );
			break;
		case 'do': do_action( $op[1], ...$op[2] ); break;
		case 'doRef': do_action_ref_array( $op[1], $op[2] ); break;
		case 'apply': $trace[] = array( 'apply', apply_filters( $op[1], ...$op[2] ) ); break;
		case 'applyRef': $trace[] = array( 'apply', apply_filters_ref_array( $op[1], $op[2] ) ); break;
		case 'has': $trace[] = array( 'has', null === $op[2] ? has_filter( $op[1] ) : has_filter( $op[1], $cbs[ $op[2] ] ) ); break;
		case 'did': $trace[] = array( 'did', did_action( $op[1] ), did_filter( $op[1] ) ); break;
	}
}

while ( ( $line = fgets( STDIN ) ) !== false ) {
	echo json_encode( run_script( json_decode( $line, true ) ) ), "\n";
}
