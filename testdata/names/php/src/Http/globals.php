<?php
define('GLOBAL_KEY', 'global-php');
