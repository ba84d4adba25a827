<?php
namespace App\Flags;

final class FlagKeys
{
    const CHECKOUT = 'checkout-php';
    public const BANNER = 'banner-php';
}
